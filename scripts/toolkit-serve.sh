#!/bin/sh
# Start the toolkit web page and open it in the browser (统信UOS / 麒麟 / other Linux: double-click or run).
# Uses ./venv or ./.venv next to the project if there is one, else python3 on PATH. Ctrl+C stops it.
cd "$(dirname "$0")/.." || exit 2
for candidate in venv/bin/python .venv/bin/python; do
  if [ -x "$candidate" ]; then
    exec "$candidate" -m toolkit serve "$@"
  fi
done
if command -v python3 >/dev/null 2>&1; then
  exec python3 -m toolkit serve "$@"
fi
echo "未找到 python3：请先安装 Python 3.11 或更新版本，再执行 pip install gk-toolkit" >&2
exit 2
