// Show only the fields that apply: the dates of a custom period, the day of a weekly or monthly schedule.
(function () {
  function toggle(root) {
    root.querySelectorAll("select[name$='period']").forEach(function (select) {
      var form = select.closest("form, fieldset");
      var custom = select.value === "custom";
      form.querySelectorAll("input[name$='date_from'], input[name$='date_to']").forEach(function (input) {
        var wrapper = input.closest(".mb-3") || input.parentElement;
        wrapper.hidden = !custom;
      });
    });
    var frequency = root.querySelector("select[name='frequency']");
    if (frequency) {
      var weekday = document.querySelector("[name='weekday']");
      var day = document.querySelector("[name='day_of_month']");
      if (weekday) (weekday.closest(".mb-3") || weekday.parentElement).hidden = frequency.value !== "weekly";
      if (day) (day.closest(".mb-3") || day.parentElement).hidden = frequency.value !== "monthly";
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='period'], select[name='frequency']")) toggle(document);
  });
  document.addEventListener("DOMContentLoaded", function () { toggle(document); });
  document.addEventListener("htmx:afterSettle", function () { toggle(document); });
})();
