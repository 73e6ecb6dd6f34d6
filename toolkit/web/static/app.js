/* Optional: shows "正在处理" while a form is being sent. The page works without it. ES3 only (old IE cores). */
(function () {
  document.documentElement.className += " js";
  var forms = document.getElementsByTagName("form");
  function busy(form) {
    return function () {
      var spans = form.getElementsByTagName("span");
      for (var j = 0; j < spans.length; j++) {
        if (spans[j].className === "busy") { spans[j].style.display = "inline"; }
      }
      return true;
    };
  }
  for (var i = 0; i < forms.length; i++) {
    var handler = busy(forms[i]);
    if (forms[i].addEventListener) { forms[i].addEventListener("submit", handler, false); }
    else if (forms[i].attachEvent) { forms[i].attachEvent("onsubmit", handler); }
  }
})();
