// Package gocases reads the cases that goregexp-go and vellum-go answer.
package gocases

import (
	"fmt"
	"strconv"
	"strings"
)

// Expand writes out a case's <<N*text>> runs (text N times): the cases of
// deeply nested patterns stay short so.
func Expand(c string) string {
	var b strings.Builder
	for {
		start := strings.Index(c, "<<")
		if start < 0 {
			b.WriteString(c)
			return b.String()
		}
		length := strings.Index(c[start:], ">>")
		n, text, _ := strings.Cut(c[start+2:start+length], "*")
		count, err := strconv.Atoi(n)
		if err != nil {
			panic(fmt.Sprintf("%s: a run is <<N*text>>", c))
		}
		b.WriteString(c[:start])
		b.WriteString(strings.Repeat(text, count))
		c = c[start+length+2:]
	}
}
