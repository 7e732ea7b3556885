/* global document, window, echarts */
// Draws every chart on the page from the ECharts option the server embedded next to it. The page marks
// each container data-rendered="true" once drawn (what the browser test waits for).
(function () {
  function draw() {
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      var name = el.getAttribute('data-chart');
      var source = document.querySelector('script[data-chart-option="' + name + '"]');
      if (!source) return;
      var chart = echarts.init(el, null, { renderer: 'svg' });
      chart.setOption(JSON.parse(source.textContent));
      el.setAttribute('data-rendered', 'true');
      window.addEventListener('resize', function () { chart.resize(); });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
})();
