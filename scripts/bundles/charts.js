// The chart library the browser loads: ECharts with only the charts and components the
// pages use (docs/decisions/chart-bundle.md). Bundled by scripts/vendor_assets.py with
// esbuild into fangkong/static/vendor/charts.min.js, which sets window.echarts.
// A page that needs another chart type adds it here (and the weight budget is re-checked
// by fangkong/core/tests/test_page_weight.py).
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);
window.echarts = echarts;
