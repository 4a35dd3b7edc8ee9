import { parseFugueEventNotice } from './fugue-event-channel';

const FUGUE = '0b9a1c1e-5d0e-4f7a-9a51-3f1c2b7d8e90';
const FOYER = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
const ALERT = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

describe('parseFugueEventNotice', () => {
  const payload = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({ id: '42', fugueId: FUGUE, type: 'alert.acknowledged', departmentCode: '75', foyerId: FOYER, alertId: ALERT, interviewId: null, ...overrides });

  it('reads what the trigger writes', () => {
    expect(parseFugueEventNotice(payload())).toEqual({ id: '42', fugueId: FUGUE, type: 'alert.acknowledged', departmentCode: '75', foyerId: FOYER, alertId: ALERT, interviewId: null });
  });

  it('keeps ids only: anything else in the optional ids is dropped', () => {
    expect(parseFugueEventNotice(payload({ alertId: 'Testprenom', interviewId: 7 }))).toMatchObject({ alertId: null, interviewId: null });
  });

  it('refuses a payload it does not know', () => {
    expect(parseFugueEventNotice(undefined)).toBeNull();
    expect(parseFugueEventNotice('not json')).toBeNull();
    expect(parseFugueEventNotice('null')).toBeNull();
    expect(parseFugueEventNotice(payload({ type: 'youth.renamed' }))).toBeNull();
    expect(parseFugueEventNotice(payload({ id: 'x' }))).toBeNull();
    expect(parseFugueEventNotice(payload({ fugueId: 'nope' }))).toBeNull();
    expect(parseFugueEventNotice(payload({ foyerId: null }))).toBeNull();
    expect(parseFugueEventNotice(payload({ departmentCode: 75 }))).toBeNull();
  });
});
