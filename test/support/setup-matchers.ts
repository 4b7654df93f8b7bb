// aws-sdk-client-mock's matchers (toHaveReceivedCommand…), for the files that mock SDK clients.
import 'aws-sdk-client-mock-jest/vitest';
