// Charts rendered server side: ECharts' SSR SVG renderer (no DOM), rasterised to PNG by resvg. The same
// option the browser draws, so a report shows what the dashboard shows.
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { ChartOption } from './charts.js';

export interface ChartSize {
  width: number;
  height: number;
}

export function renderSvg(option: ChartOption, size: ChartSize): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ ...option, backgroundColor: '#ffffff' });
    return chart.renderToSVGString();
  } finally {
    // Without dispose the chart's timers keep the process alive.
    chart.dispose();
  }
}

/** PNG at `scale` × the chart's size (2 for print), text in DejaVu Sans (Debian's fonts-dejavu-core) or any system font. */
export function renderPng(option: ChartOption, size: ChartSize, scale = 2): Buffer {
  const svg = renderSvg(option, size);
  const png = new Resvg(svg, { background: '#ffffff', fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } }).render().asPng();
  return Buffer.from(png);
}
