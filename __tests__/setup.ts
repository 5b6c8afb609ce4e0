// jest 30 needs the adapter import for the cdktf matchers (toHaveResource, ...).
import "cdktf/lib/testing/adapters/jest";
