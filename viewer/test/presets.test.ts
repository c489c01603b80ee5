import { CT_PRESETS, imagePresets, rangeToWindow, windowToRange } from '../src/study/presets.js';

describe('window presets', () => {
  it('carries the clinical CT windows, with the names the page and the number keys use', () => {
    expect(CT_PRESETS.map((p) => [p.name, p.width, p.center])).toEqual([
      ['brain', 80, 40],
      ['lung', 1500, -600],
      ['bone', 2500, 480],
      ['soft', 400, 40],
      ['liver', 150, 90],
    ]);
  });

  it('offers the windows the image carries, labelled by their explanation', () => {
    const presets = imagePresets({ windowCenter: [40, -600], windowWidth: [400, 1500], explanation: ['SOFT TISSUE', 'LUNG'] });
    expect(presets).toEqual([
      { name: 'image-1', label: { text: 'SOFT TISSUE' }, width: 400, center: 40 },
      { name: 'image-2', label: { text: 'LUNG' }, width: 1500, center: -600 },
    ]);
  });

  it('skips unusable image windows and labels unexplained ones generically', () => {
    expect(imagePresets({ windowCenter: [100, 50], windowWidth: [0, 200] })).toEqual([{ name: 'image-2', label: 'preset_image', width: 200, center: 50 }]);
    expect(imagePresets({ windowCenter: 10 })).toEqual([]);
    expect(imagePresets(undefined)).toEqual([]);
  });

  it('converts between a window and the VOI range both ways', () => {
    expect(windowToRange({ width: 1500, center: -600 })).toEqual({ lower: -1350, upper: 150 });
    expect(rangeToWindow({ lower: -1350, upper: 150 })).toEqual({ width: 1500, center: -600 });
  });
});
