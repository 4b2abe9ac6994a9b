// Dates, times and numbers as the page's language writes them (<html lang>, Russian when
// unset): one place, so every page shows a day, a time and a count the same way.
(function () {
  const lang = () => document.documentElement.lang || "ru";
  const DAY = { day: "2-digit", month: "2-digit", year: "numeric" };
  const TIME = { hour: "2-digit", minute: "2-digit" };
  window.When = {
    lang,
    day: (value) => new Date(value).toLocaleDateString(lang(), DAY),
    dayTime: (value) => new Date(value).toLocaleString(lang(), { ...DAY, ...TIME }),
    time: (value) => new Date(value).toLocaleTimeString(lang(), TIME),
    number: (n) => n.toLocaleString(lang()),
    // a duration as a clock shows it, «6:59»: rounded to whole seconds first, or 419.6 s
    // read «6:60»
    clock: (seconds) => { const s = Math.round(seconds); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`; },
    // a KPI's seconds as /analytics and /workforce write them: «7:04» from two minutes on,
    // «95 с» below (`unit`: the page's word for seconds)
    seconds: (seconds, unit) => (seconds >= 120 ? window.When.clock(seconds) : `${Math.round(seconds)} ${unit}`),
  };
})();
