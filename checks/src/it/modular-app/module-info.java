/**
 * A tiny application on the module path: it requires the core JAR by its automatic module name.
 */
module dev.sharedmemory.modular.app {
	requires dev.sharedmemory.core;
}
