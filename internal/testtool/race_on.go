//go:build race

package testtool

// RaceEnabled is true under the race detector, which makes a store write
// about ten times slower: long scenarios run shortened.
const RaceEnabled = true
