//go:build !race

package store

// raceEnabled is true under the race detector, which makes a store write
// about ten times slower; long scenarios run shortened.
const raceEnabled = false
