// Placeholder entry point, replaced by the test server implementation.
return 0;
