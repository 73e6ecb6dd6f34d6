"""The supervising office's review desk: its rules file, the roster of returns, the desk's memory (one SQLite
file), the 问题清单 sent back to units, comparing a corrected return with the returned one, and the scoring sheet.
"""
