// Choosing a 776n model measure fills in its wording and presets its level of the hierarchy of
// controls; the server does the same for ?model_measure= links (assessments/views/risk_measures.py).
(function () {
  "use strict";
  function apply(select) {
    var option = select.options[select.selectedIndex];
    var model = document.getElementById(select.dataset.targetModel);
    if (model) { model.value = select.value; }
    if (!select.value) { return; }
    var description = document.getElementById(select.dataset.targetDescription);
    if (description && option.dataset.name) { description.value = option.dataset.name; }
    var level = option.dataset.level;
    if (level) {
      var radios = document.getElementsByName(select.dataset.levelName);
      for (var i = 0; i < radios.length; i++) { radios[i].checked = radios[i].value === level; }
    }
  }
  function init() {
    var selects = document.querySelectorAll("select.rp-model-measure-pick");
    for (var i = 0; i < selects.length; i++) {
      selects[i].addEventListener("change", function (event) { apply(event.target); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
