// Package deploy holds the tests of how wmory is shipped: the container image
// (the Dockerfile at the repository's root, built and run for real), and the
// lint of the Dockerfile. It is a module of its own so that the main module's
// tests do not carry buildkit's dependencies; make test runs it.
package deploy
