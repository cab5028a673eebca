/* A shared object that is not a skiff plugin at all. */
__attribute__((visibility("default"))) int not_a_plugin(void) { return 42; }
