#include "html_parts.h"

namespace perfgate::reports_detail {

// System fonts only: the report must open offline, from a CI artifact, with no network fetch.
const char* report_css() {
  return R"css(
:root{--bg:#f5f6f8;--card:#fff;--ink:#1b2330;--muted:#5b6577;--line:#e3e6eb;--pass:#15803d;--pass-bg:#e8f6ee;
--warn:#b45309;--warn-bg:#fdf3e2;--fail:#b91c1c;--fail-bg:#fdeaea;--inc:#6d28d9;--inc-bg:#f1ebfd;--accent:#2563eb}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,
"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-variant-numeric:tabular-nums}
main{max-width:1240px;margin:0 auto;padding:20px 20px 48px}
h1{font-size:22px;margin:0 0 2px;font-weight:650;letter-spacing:-.01em}
.eyebrow{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.08em;font-weight:600}
h2{font-size:17px;margin:30px 0 10px;font-weight:650}
h3{font-size:15px;margin:0 0 8px;font-weight:600}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
pre{background:#f3f4f7;border:1px solid var(--line);border-radius:6px;padding:8px 10px;overflow-x:auto;white-space:pre-wrap;
word-break:break-word;margin:6px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:12px 0;
box-shadow:0 1px 2px rgba(16,24,40,.04)}
.sub{color:var(--muted);font-size:13px}
.verdict{display:flex;flex-wrap:wrap;align-items:center;gap:14px 22px;border-radius:12px;padding:16px 20px;margin:8px 0 14px;
border:1px solid}
.verdict .badge{font-size:26px;font-weight:750;letter-spacing:.04em;text-transform:uppercase}
.verdict ul{margin:4px 0 0;padding-left:18px}
.v-pass{background:var(--pass-bg);border-color:#b7e2c6;color:var(--pass)}
.v-warn{background:var(--warn-bg);border-color:#f3d29b;color:var(--warn)}
.v-fail{background:var(--fail-bg);border-color:#f5b9b9;color:var(--fail)}
.v-inconclusive{background:var(--inc-bg);border-color:#d5c4f7;color:var(--inc)}
.v-none{background:#eef1f5;border-color:var(--line);color:var(--muted)}
.verdict .detail{color:var(--ink);font-size:13.5px;flex:1;min-width:0}
.verdict details table{background:rgba(255,255,255,.7);border-radius:6px;margin-top:6px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px 18px;margin:0}
.facts div{min-width:0}
.facts dt{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.facts dd{margin:0;font-weight:550;overflow-wrap:anywhere}
.warnings{list-style:none;padding:0;margin:10px 0 0}
.warnings li{background:var(--warn-bg);color:#7c3d06;border-left:4px solid var(--warn);padding:6px 10px;margin:6px 0;border-radius:4px}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
th:first-child,td:first-child,td.text,th.text,td.left,th.left{text-align:left}
td.text{white-space:normal;overflow-wrap:anywhere;min-width:140px}
tbody tr:hover{background:#fafbfc}
td.cell-pass{color:var(--pass);font-weight:600}
td.cell-warn{color:var(--warn);font-weight:600;background:var(--warn-bg)}
td.cell-fail{color:var(--fail);font-weight:700;background:var(--fail-bg)}
td.cell-inconclusive{color:var(--inc)}
.chip{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;margin:1px 2px;border:1px solid}
.errors-none{color:var(--muted)}
.errors-some{color:var(--fail);font-weight:600}
details{margin-top:8px}
summary{cursor:pointer;color:var(--accent);font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,500px),1fr));gap:12px}
.grid>.card{margin:0}
svg.chart{width:100%;height:auto;display:block;font-size:12px;font-family:inherit}
svg.chart .chart-title{font-size:14px;font-weight:600;fill:var(--ink)}
svg.chart .legend-item text{fill:#3d4757}
svg.chart .tick{fill:#5b6577}
svg.chart .axis-label{fill:#5b6577;font-size:11.5px}
svg.chart .axis line{stroke:#9aa3b2}
svg.chart .grid line{stroke:#eceef2}
svg.chart .band-fill{fill:#eef2f8}
svg.chart .band:nth-of-type(even) .band-fill{fill:#f6f8fb}
svg.chart .band-muted{fill:#e7e7ea}
svg.chart .band-label{fill:#5b6577;font-size:10.5px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg.chart .line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg.chart .area{fill-opacity:.72;stroke:none}
svg.chart .rule line{stroke-width:1.5;stroke-dasharray:5 4}
svg.chart .rule text{font-size:10.5px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg.chart .hover-points circle{opacity:0}
svg.chart .hover-points circle:hover{opacity:1}
svg.chart .mark{fill:none;stroke:#dc2626;stroke-width:2.2}
svg.chart .no-data{fill:#9aa3b2;font-size:14px}
.bar{position:relative;height:8px;background:#eef0f3;border-radius:4px;min-width:90px}
.bar span{position:absolute;top:0;bottom:0;border-radius:4px}
.bar .up{left:50%;background:#dc2626}
.bar .down{right:50%;background:#16a34a}
.finding{border-left:4px solid var(--line);padding:8px 12px;margin:10px 0;background:#fbfbfc;border-radius:6px}
.sev-critical,.sev-high{border-left-color:#dc2626}
.sev-medium{border-left-color:#d97706}
.sev-low,.sev-info{border-left-color:#94a3b8}
.finding .meta{color:var(--muted);font-size:12.5px}
.cost{font-weight:650}
.toc{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 0}
.toc a{color:var(--accent);text-decoration:none;font-size:13px;background:#fff;border:1px solid var(--line);border-radius:999px;
padding:3px 12px}
.toc a:hover{border-color:var(--accent)}
footer{color:var(--muted);font-size:12px;margin-top:28px;text-align:center}
@media (max-width:640px){main{padding:12px 10px 32px}.verdict .badge{font-size:21px}th,td{padding:5px 7px}}
@media print{body{background:#fff}.card{box-shadow:none}}
)css";
}

const char* palette(size_t index) {
  static const char* const kColors[] = {"#2563eb", "#d97706", "#dc2626", "#059669", "#7c3aed",
                                        "#0891b2", "#db2777", "#65a30d", "#475569"};
  return kColors[index % (sizeof kColors / sizeof kColors[0])];
}

}  // namespace perfgate::reports_detail
