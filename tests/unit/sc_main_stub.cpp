// Plain C++ tests that use a library which also holds SystemC models link libsystemc, whose
// main() expects an sc_main. GoogleTest's main runs these tests, so this one is never called; it
// is weak so that a test which brings its own sc_main keeps it, and extern "C" as SystemC declares
// it.
extern "C" __attribute__((weak)) int sc_main(int, char**) { return 1; }
