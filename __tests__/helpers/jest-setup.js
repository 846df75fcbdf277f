/**
 * Before each suite. cdktf records a full stack trace for every token it creates (Intrinsic, Lazy, lists), for its error
 * messages only; under jest every such trace goes through source-map-support, frame by frame: about a quarter of the
 * permissions suite's CPU (profiled). The suites' cdktf records none. The synthesized JSON is the same; the package and
 * docs-commands suites run the real cdktf in their own processes.
 */
jest.mock('cdktf/lib/tokens/private/stack-trace', () => ({ captureStackTrace: () => [] }));
