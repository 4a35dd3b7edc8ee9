import { newsOfChange } from './alert-news.service';

describe('the news of a change of an episode', () => {
  it('is its own fact (a sighting, an update, a hotline call)', () => {
    expect(newsOfChange({ status: 'missing', effectiveLevel: 'worrying' }, 'missing', 'worrying', 'sighting')).toEqual(['sighting']);
    expect(newsOfChange({ status: 'missing', effectiveLevel: 'worrying' }, 'missing', 'worrying', null)).toEqual([]);
  });

  it('adds a new status located or returned, and nothing for a close or a cancellation', () => {
    expect(newsOfChange({ status: 'located', effectiveLevel: 'worrying' }, 'missing', 'worrying', null)).toEqual(['located']);
    expect(newsOfChange({ status: 'returned', effectiveLevel: 'worrying' }, 'located', 'worrying', null)).toEqual(['returned']);
    expect(newsOfChange({ status: 'returned', effectiveLevel: 'worrying' }, 'returned', 'worrying', 'hotline')).toEqual(['hotline']);
    expect(newsOfChange({ status: 'closed', effectiveLevel: 'worrying' }, 'returned', 'worrying', null)).toEqual([]);
    expect(newsOfChange({ status: 'cancelled', effectiveLevel: 'worrying' }, 'missing', 'worrying', null)).toEqual([]);
  });

  it('adds a level set by hand, raised or lowered, but not a first level', () => {
    expect(newsOfChange({ status: 'missing', effectiveLevel: 'worrying' }, 'missing', 'routine', null)).toEqual(['level_raised']);
    expect(newsOfChange({ status: 'missing', effectiveLevel: 'routine' }, 'missing', 'worrying', null)).toEqual(['level_lowered']);
    expect(newsOfChange({ status: 'missing', effectiveLevel: 'worrying' }, 'missing', null, null)).toEqual([]);
  });
});
