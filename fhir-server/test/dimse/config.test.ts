import { loadConfig } from '../../src/config.js';

describe('DIMSE configuration', () => {
  it('defaults: port 11112, AE title QIAO, any calling AE, no peers', () => {
    expect(loadConfig({})).toMatchObject({ dimsePort: 11112, dimseAeTitle: 'QIAO', dimseAllowedAes: [], dimsePeers: [] });
  });

  it('reads the port (or off), the AE titles and the peers', () => {
    const config = loadConfig({
      QIAO_DIMSE_PORT: '104',
      QIAO_DIMSE_AE_TITLE: 'COUNTY_PACS',
      QIAO_DIMSE_ALLOWED_AES: 'CT01, MR01',
      QIAO_DIMSE_PEERS: 'CLINIC1@10.0.0.5:104,VIEWER@[fd00::7]:11113',
    });
    expect(config).toMatchObject({
      dimsePort: 104,
      dimseAeTitle: 'COUNTY_PACS',
      dimseAllowedAes: ['CT01', 'MR01'],
      dimsePeers: [
        { aeTitle: 'CLINIC1', host: '10.0.0.5', port: 104 },
        { aeTitle: 'VIEWER', host: 'fd00::7', port: 11113 },
      ],
    });
    expect(loadConfig({ QIAO_DIMSE_PORT: 'off' }).dimsePort).toBeNull();
  });

  it('refuses what is not a port, an AE title or a peer', () => {
    expect(() => loadConfig({ QIAO_DIMSE_PORT: 'dicom' })).toThrow(/QIAO_DIMSE_PORT/);
    expect(() => loadConfig({ QIAO_DIMSE_AE_TITLE: 'A_TITLE_LONGER_THAN_16' })).toThrow(/QIAO_DIMSE_AE_TITLE/);
    expect(() => loadConfig({ QIAO_DIMSE_ALLOWED_AES: 'BAD\\AE' })).toThrow(/QIAO_DIMSE_ALLOWED_AES/);
    expect(() => loadConfig({ QIAO_DIMSE_PEERS: 'CLINIC1@10.0.0.5' })).toThrow(/QIAO_DIMSE_PEERS/);
    expect(() => loadConfig({ QIAO_DIMSE_PEERS: 'CLINIC1@10.0.0.5:70000' })).toThrow(/QIAO_DIMSE_PEERS/);
  });
});
