// Writes what vellum v1.2.0 (the regexp automaton of bluge, as Nakama
// 3.40.0 builds it) answers for each line of its input: `pattern` or
// `pattern<TAB>"text"` (the text a JSON string): the refusal (empty when it builds the automaton) and,
// given a text, whether the automaton takes the whole text. Output lines:
// the pattern, the refusal, the text and "true", "false" or "" (no text),
// each a JSON string, tab-separated. Used to write ../vellum_go.tsv:
//
//	go run . < cases.txt
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp/syntax"
	"strings"

	"github.com/blevesearch/vellum/regexp"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		pattern, quoted, hasText := strings.Cut(in.Text(), "\t")
		var text string
		if hasText {
			if err := json.Unmarshal([]byte(quoted), &text); err != nil {
				panic(fmt.Sprintf("%s: the text is not a JSON string: %v", in.Text(), err))
			}
		}
		refusal, matched := "", ""
		// As bluge's regexp searcher does: Go's parser, then the automaton.
		parsed, err := syntax.Parse(pattern, syntax.Perl)
		var automaton *regexp.Regexp
		if err == nil {
			automaton, err = regexp.NewParsedWithLimit(pattern, parsed, regexp.DefaultLimit)
		}
		if err != nil {
			refusal = err.Error()
		}
		if hasText && automaton != nil {
			state := automaton.Start()
			for i := 0; i < len(text); i++ {
				state = automaton.Accept(state, text[i])
			}
			matched = fmt.Sprint(automaton.IsMatch(state))
		}
		row := []string{pattern, refusal, text, matched}
		for i, column := range row {
			quoted, _ := json.Marshal(column)
			row[i] = string(quoted)
		}
		fmt.Println(strings.Join(row, "\t"))
	}
}
