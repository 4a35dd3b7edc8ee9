// The e2e suite runs a second time at 23:30 in Paris: the test process and every service it starts
// share a clock moved there (libs/testing/src/test-clock.ts), so an expectation that silently
// assumed daytime fails here at any hour, and CI passes at night as by day.
import { clockAt, setTestClock } from '../libs/testing/src/test-clock';

setTestClock(clockAt('Europe/Paris', 23, 30));
