import { t, type Lang } from '../i18n.js';

/** What the corner overlay shows, read from the instance's DICOM JSON (PS3.18 F.2). */
export interface OverlayInput {
  patientName?: string;
  patientSex?: string;
  patientBirthDate?: string;
  patientAge?: string;
  studyDate?: string;
  seriesNumber?: string | number;
  seriesDescription?: string;
  modality?: string;
}

export interface OverlayState {
  /** 1-based */
  index: number;
  total: number;
  /** Slice location in mm, when known. */
  position?: number;
  window?: { width: number; center: number };
}

/**
 * The patient's name for display: the ideographic group when the name carries one
 * (`Wang^Xiaodong=王^小东`), joined without separators as Chinese names are written.
 */
export function displayName(pn: string | undefined, dicomJsonPn?: { Alphabetic?: string; Ideographic?: string; Phonetic?: string }): string {
  const ideographic = dicomJsonPn?.Ideographic ?? pn?.split('=')[1];
  if (ideographic && /\p{Script=Han}/u.test(ideographic)) return ideographic.replace(/\^/g, '');
  const alphabetic = dicomJsonPn?.Alphabetic ?? pn?.split('=')[0] ?? '';
  if (/\p{Script=Han}/u.test(alphabetic)) return alphabetic.replace(/\^/g, '');
  return alphabetic.split('^').filter(Boolean).join(' ');
}

/** Age in years at the study date: the Patient's Age attribute (e.g. `045Y`) when present, else from birth date. */
export function ageAtStudy(input: Pick<OverlayInput, 'patientAge' | 'patientBirthDate' | 'studyDate'>): number | undefined {
  const stated = input.patientAge?.match(/^(\d{3})Y$/);
  if (stated?.[1]) return Number(stated[1]);
  const birth = parseDicomDate(input.patientBirthDate);
  const at = parseDicomDate(input.studyDate);
  if (!birth || !at) return undefined;
  let years = at.y - birth.y;
  if (at.m < birth.m || (at.m === birth.m && at.d < birth.d)) years -= 1;
  return years >= 0 ? years : undefined;
}

function parseDicomDate(value: string | undefined): { y: number; m: number; d: number } | undefined {
  const match = value?.match(/^(\d{4})-?(\d{2})-?(\d{2})/);
  if (!match) return undefined;
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

export function formatDate(value: string | undefined): string {
  const d = parseDicomDate(value);
  return d ? `${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}` : '';
}

function sexLabel(sex: string | undefined, lang: Lang): string {
  switch (sex?.toUpperCase()) {
    case 'M':
    case 'MALE':
      return t('sexMale', lang);
    case 'F':
    case 'FEMALE':
      return t('sexFemale', lang);
    case 'O':
    case 'OTHER':
      return t('sexOther', lang);
    default:
      return t('sexUnknown', lang);
  }
}

/** The four corners' lines: top-left patient, top-right study and series, bottom-left slice, bottom-right window. */
export function overlayLines(input: OverlayInput, state: OverlayState, lang: Lang): { topLeft: string[]; topRight: string[]; bottomLeft: string[]; bottomRight: string[] } {
  const age = ageAtStudy(input);
  const ageSex = [age === undefined ? '' : lang === 'en' ? `${age}${t('age', lang)}` : `${age} ${t('age', lang)}`, sexLabel(input.patientSex, lang)].filter(Boolean).join(' / ');
  const series = [input.modality, input.seriesNumber === undefined ? undefined : `${t('series', lang)} ${input.seriesNumber}`, input.seriesDescription].filter(Boolean).join(' ');
  return {
    topLeft: [input.patientName ?? '', ageSex].filter(Boolean),
    topRight: [formatDate(input.studyDate), series].filter(Boolean),
    bottomLeft: [`${t('slice', lang)} ${state.index}/${state.total}`, ...(state.position === undefined ? [] : [`${t('position', lang)} ${state.position.toFixed(1)} mm`])],
    bottomRight: state.window ? [`${t('wl', lang)} ${Math.round(state.window.width)}/${Math.round(state.window.center)}`] : [],
  };
}
