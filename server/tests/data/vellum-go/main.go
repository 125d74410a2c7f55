// Writes what vellum v1.2.0 (the regexp automaton of bluge, as Nakama
// 3.40.0 builds it) answers for each line of its input: `pattern` or
// `pattern<TAB>"text"` (the text a JSON string; `<<N*text>>` in a pattern
// is text N times): the refusal (empty when it builds the automaton) and,
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
	"gocases"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		written, quoted, hasText := strings.Cut(in.Text(), "\t")
		pattern := gocases.Expand(written)
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
		// The case again, not the pattern written out, where the refusal names it.
		row := []string{written, strings.ReplaceAll(refusal, pattern, written), text, matched}
		for i, column := range row {
			// As JSON strings, `<` and `>` as they are.
			var quoted strings.Builder
			encoder := json.NewEncoder(&quoted)
			encoder.SetEscapeHTML(false)
			_ = encoder.Encode(column)
			row[i] = strings.TrimSuffix(quoted.String(), "\n")
		}
		fmt.Println(strings.Join(row, "\t"))
	}
}
