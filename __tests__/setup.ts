// jest 30 needs the adapter import for the cdktf matchers (toHaveResource, ...).
import "cdktf/lib/testing/adapters/jest";

// cdktf records a full stack trace for every token it creates (Intrinsic.creationStack, used only
// in messages about misused tokens). Under jest every capture maps each frame through source maps,
// which made building the app several times slower than in plain Node, so tests skip the capture.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackTrace = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: () => string[] };
stackTrace.captureStackTrace = () => [];
