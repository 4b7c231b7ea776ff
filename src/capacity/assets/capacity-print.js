/* capacity reports and the run index, printed (every page links it from <run>/assets/). */
/* Printed, every chart is redrawn at the width of the printed page, its last month included,
   as tall as its legend needs (a legend never scrolls on paper) and with a title that fits
   (a smaller font); back on screen it is drawn as before, following the window. */
(function () {
  function fit(printing) {
    if (typeof Plotly === 'undefined') { return; }
    document.querySelectorAll('.js-plotly-plot').forEach(function (chart) {
      if (printing) {
        var width = Math.floor(chart.parentElement.getBoundingClientRect().width);
        if (!(width > 0) || !chart._fullLayout) { return; }
        if (!chart._capacityScreen) {
          var layout = chart.layout;
          chart._capacityScreen = { height: layout.height || null, 'legend.maxheight': (layout.legend || {}).maxheight || null,
                                    'title.font.size': ((layout.title || {}).font || {}).size || null };
        }
        Plotly.relayout(chart, { width: width }).then(function () { fitLegendAndTitle(chart); });
      } else if (chart._capacityScreen) {
        var screen = chart._capacityScreen;
        delete chart._capacityScreen;
        screen.width = null;
        screen.autosize = true;
        Plotly.relayout(chart, screen);
      }
    });
  }
  function fitLegendAndTitle(chart) {
    var full = chart._fullLayout, legend = full.legend, height = full.height, more = {};
    if (legend && legend._height > Math.max(legend._effHeight + 1, 0.25 * height)) {
      more.height = Math.ceil(height + legend._height);
      more['legend.maxheight'] = Math.ceil(legend._height + 2);
    }
    var title = chart.querySelector('.gtitle'), box = chart.getBoundingClientRect();
    if (title && full.title && full.title.font) {
      var drawn = title.getBoundingClientRect(), room = box.right - drawn.left - 4;
      if (drawn.right > box.right - 2 && room > 0) {
        more['title.font.size'] = Math.max(9, Math.floor(full.title.font.size * room / drawn.width));
      }
    }
    if (Object.keys(more).length) { Plotly.relayout(chart, more); }
  }
  var print = window.matchMedia('print');
  (print.addEventListener ? print.addEventListener.bind(print, 'change') : print.addListener.bind(print))(
    function (event) { fit(event.matches); });
  window.addEventListener('afterprint', function () { fit(false); });
})();
