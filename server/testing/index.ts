/**
 * `livery/testing`: the test client for view authors (mountView and friends) lands here; this
 * module is its entry point in the package's exports map.
 */
export {};
