// Entry point; the foundation issue replaces this with the spec/check/write command dispatcher.
return 2;
