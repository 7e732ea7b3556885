import { describe, expect, it } from 'vitest';
import { checkTransition } from './service-request.js';

describe('service request transitions', () => {
  it('allows open → in-progress → resolved or rejected, and open straight to a final status', () => {
    expect(checkTransition('open', 'in-progress').ok).toBe(true);
    expect(checkTransition('in-progress', 'resolved').ok).toBe(true);
    expect(checkTransition('in-progress', 'rejected').ok).toBe(true);
    expect(checkTransition('open', 'rejected').ok).toBe(true);
  });

  it('refuses going back and leaving a final status, saying what is allowed', () => {
    expect(checkTransition('in-progress', 'open')).toEqual({ ok: false, detail: 'an in-progress request cannot become open (allowed: resolved, rejected)' });
    expect(checkTransition('resolved', 'in-progress')).toEqual({ ok: false, detail: 'a resolved request cannot become in-progress (resolved is final)' });
    expect(checkTransition('open', 'open').ok).toBe(false);
  });
});
