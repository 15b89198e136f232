'use strict';
// The entry of our partial plotly.js bundle (scripts/build_plotly.sh bundles it with esbuild into
// static/vendor/plotly/plotly-scatter-bar.min.js, global `Plotly`). plotly.js's core always
// contains the scatter trace; bar is the only other trace type the app draws
// (dashboard/charts.py, population/charts.py). Add a trace here before using it in a chart.
var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/bar')]);

module.exports = Plotly;
