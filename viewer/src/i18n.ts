/**
 * Every string the viewer shows, zh-CN first then English, in one table. The language is chosen
 * by `?lang=`, then the last choice (localStorage), then zh-CN.
 */
export type Lang = 'zh-CN' | 'en';

const MESSAGES = {
  appTitle: ['桥 · 影像阅片', 'Qiao · Image reading'],
  worklist: ['检查列表', 'Worklist'],
  patientName: ['患者姓名', 'Patient name'],
  patientId: ['患者 ID', 'Patient ID'],
  dateFrom: ['检查日期自', 'Study date from'],
  dateTo: ['至', 'to'],
  modality: ['检查类型', 'Modality'],
  any: ['全部', 'Any'],
  unreportedOnly: ['仅未出报告', 'Unreported only'],
  search: ['查询', 'Search'],
  studyDate: ['检查日期', 'Study date'],
  received: ['接收时间', 'Received'],
  description: ['检查描述', 'Description'],
  accession: ['检查号', 'Accession'],
  seriesCount: ['序列/图像', 'Series/images'],
  reportStatus: ['报告', 'Report'],
  reported: ['已出报告', 'Reported'],
  unreported: ['未出报告', 'Unreported'],
  open: ['阅片', 'Open'],
  noStudies: ['没有符合条件的检查', 'No studies match'],
  loading: ['加载中…', 'Loading…'],
  loadFailed: ['加载失败', 'Loading failed'],
  backToWorklist: ['返回列表', 'Back to worklist'],
  series: ['序列', 'Series'],
  images: ['幅', 'images'],
  studyNotFound: ['未找到该检查', 'Study not found'],
  layout: ['布局', 'Layout'],
  tools: ['工具', 'Tools'],
  presets: ['窗宽窗位', 'Window presets'],
  windowLevel: ['窗宽/窗位', 'Window/level'],
  pan: ['平移', 'Pan'],
  zoom: ['缩放', 'Zoom'],
  length: ['测长度', 'Length'],
  angle: ['测角度', 'Angle'],
  rectangleRoi: ['矩形 ROI', 'Rectangle ROI'],
  ellipseRoi: ['椭圆 ROI', 'Ellipse ROI'],
  probe: ['探针 (CT 值)', 'Probe (HU)'],
  rotate: ['旋转 90°', 'Rotate 90°'],
  flipH: ['水平翻转', 'Flip horizontal'],
  flipV: ['垂直翻转', 'Flip vertical'],
  invert: ['反相', 'Invert'],
  reset: ['复位', 'Reset'],
  cine: ['电影播放', 'Cine'],
  clearMeasurements: ['清除测量', 'Clear measurements'],
  help: ['快捷键', 'Shortcuts'],
  close: ['关闭', 'Close'],
  language: ['English', '中文'],
  slice: ['层', 'Image'],
  position: ['位置', 'Position'],
  wl: ['窗宽/窗位', 'W/L'],
  age: ['岁', 'y'],
  sexMale: ['男', 'M'],
  sexFemale: ['女', 'F'],
  sexOther: ['其他', 'O'],
  sexUnknown: ['未知', 'U'],
  preset_brain: ['脑窗', 'Brain'],
  preset_lung: ['肺窗', 'Lung'],
  preset_bone: ['骨窗', 'Bone'],
  preset_soft: ['软组织/纵隔窗', 'Soft tissue/mediastinum'],
  preset_liver: ['肝窗', 'Liver'],
  preset_image: ['图像窗', 'Image window'],
  key_scroll: ['上一幅/下一幅', 'Previous/next image'],
  key_scroll_page: ['前后跳 10 幅', 'Back/forward 10 images'],
  key_first_last: ['第一幅/最后一幅', 'First/last image'],
  key_presets: ['窗宽窗位预设 1–5', 'Window presets 1–5'],
  key_tools: ['工具：窗宽窗位/平移/缩放/长度/角度/矩形/椭圆/探针', 'Tools: W/L, pan, zoom, length, angle, rectangle, ellipse, probe'],
  key_rotate: ['旋转 90°', 'Rotate 90°'],
  key_flip: ['水平/垂直翻转', 'Flip horizontal/vertical'],
  key_invert: ['反相', 'Invert'],
  key_reset: ['复位', 'Reset'],
  key_cine: ['电影播放/停止', 'Cine start/stop'],
  key_layout: ['布局 1×1 / 1×2 / 2×2', 'Layout 1×1 / 1×2 / 2×2'],
  key_delete: ['清除测量', 'Clear measurements'],
  key_help: ['显示/隐藏本帮助', 'Show/hide this help'],
  mouse_left: ['左键拖动：当前工具', 'Left drag: active tool'],
  mouse_middle: ['中键拖动：平移', 'Middle drag: pan'],
  mouse_right: ['右键拖动：缩放', 'Right drag: zoom'],
  mouse_wheel: ['滚轮：翻层', 'Wheel: scroll images'],
  report: ['报告', 'Report'],
  // The registry app (viewer/src/registry/).
  reg_title: ['桥 · 肿瘤登记审核', 'Qiao · Cancer registry review'],
  reg_cases: ['报告病例', 'Submitted cases'],
  reg_case: ['病例', 'Case'],
  reg_state: ['审核状态', 'Review state'],
  reg_institution: ['报告单位', 'Reporting institution'],
  reg_patient: ['患者（去标识）', 'Patient (de-identified)'],
  reg_icd10: ['ICD-10', 'ICD-10'],
  reg_topography: ['ICD-O-3 部位', 'ICD-O-3 topography'],
  reg_morphology: ['ICD-O-3 形态学', 'ICD-O-3 morphology'],
  reg_basis: ['最高诊断依据', 'Basis of diagnosis'],
  reg_diagnosed: ['诊断日期', 'Diagnosed'],
  reg_recorded: ['报告日期', 'Reported'],
  reg_sequence: ['原发癌序号', 'Primary sequence'],
  reg_duplicateOf: ['疑似重复', 'Possible duplicate of'],
  reg_version: ['版本', 'Version'],
  reg_noCases: ['没有符合条件的病例', 'No cases match'],
  reg_previous: ['上一页', 'Previous'],
  reg_next: ['下一页', 'Next'],
  reg_total: ['共', 'Total'],
  reg_back: ['返回列表', 'Back to the list'],
  'reg_state_pending-hospital': ['待医院审核', 'Pending: hospital'],
  'reg_state_pending-county': ['待区县审核', 'Pending: county'],
  'reg_state_pending-city': ['待市级审核', 'Pending: city'],
  reg_state_confirmed: ['已确认', 'Confirmed'],
  reg_state_returned: ['已退回', 'Returned'],
  reg_state_rejected: ['已驳回', 'Rejected'],
  reg_state_unknown: ['未知', 'Unknown'],
  reg_rules: ['质控规则结果', 'Quality rule results'],
  reg_history: ['审核记录', 'Review history'],
  reg_noHistory: ['暂无记录', 'No steps yet'],
  reg_review: ['审核', 'Review'],
  reg_reason: ['原因（退回、驳回时必填）', 'Reason (required to return or reject)'],
  reg_reasonHint: ['填写退回或驳回原因', 'Why the case is returned or rejected'],
  reg_confirm: ['审核通过', 'Confirm'],
  reg_return: ['退回', 'Return'],
  reg_reject: ['驳回', 'Reject'],
  reg_kpi: ['质控指标', 'Quality indicators'],
  reg_kpi_submissions: ['报告次数', 'Submissions'],
  reg_kpi_refused: ['被拒次数', 'Refused'],
  reg_kpi_errorRate: ['差错率', 'Error rate'],
  reg_kpi_cases: ['病例数', 'Cases'],
  reg_kpi_firstSubmitErrorRate: ['首报差错率', 'First-submission error rate'],
  reg_kpi_timeliness: ['报告时间中位数（天）', 'Median days to report'],
  reg_kpi_timelyRate: ['及时率', 'Timely rate'],
  reg_kpi_completeness: ['完整率', 'Completeness'],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageId = keyof typeof MESSAGES;

const STORAGE_KEY = 'qiao.viewer.lang';

function initialLang(): Lang {
  if (typeof window === 'undefined') return 'zh-CN';
  const asked = new URLSearchParams(window.location.search).get('lang');
  if (asked === 'en' || asked === 'zh-CN') return asked;
  const stored = window.localStorage?.getItem(STORAGE_KEY);
  return stored === 'en' ? 'en' : 'zh-CN';
}

let current: Lang = initialLang();

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  window.localStorage?.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

export function t(id: MessageId, forLang: Lang = current): string {
  const [zh, en] = MESSAGES[id];
  return forLang === 'en' ? en : zh;
}

/** The button that switches zh-CN ⇄ English: the page reloads in the other language, where it was. */
export function languageSwitch(): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'lang';
  button.dataset.testid = 'lang';
  button.textContent = t('language');
  button.onclick = () => {
    const next: Lang = current === 'en' ? 'zh-CN' : 'en';
    setLang(next);
    const url = new URL(window.location.href);
    url.searchParams.set('lang', next);
    window.location.replace(url.toString());
  };
  return button;
}
