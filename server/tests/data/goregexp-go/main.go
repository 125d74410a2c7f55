package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"

	"gocases"
)

func canon(name string) string {
	var b []byte
	first := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || c == '-' || c == ' ':
			continue
		case first:
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			first = false
		default:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
		}
		b = append(b, c)
	}
	return string(b)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "names" {
		seen := map[string]bool{}
		var names []string
		add := func(n string) {
			if _, err := syntax.Parse(`\p{`+n+`}`, syntax.Perl); err == nil {
				c := canon(n)
				if !seen[c] {
					seen[c] = true
					names = append(names, c)
				}
			}
		}
		for n := range unicode.Categories {
			add(n)
		}
		for n := range unicode.Scripts {
			add(n)
		}
		for n := range unicode.CategoryAliases {
			add(n)
		}
		for _, n := range []string{"Any", "Assigned", "ASCII", "LC"} {
			add(n)
		}
		sort.Strings(names)
		fmt.Println(strings.Join(names, "\n"))
		return
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		c := sc.Text()
		p := gocases.Expand(c)
		_, err := syntax.Parse(p, syntax.Perl)
		e := ""
		if err != nil {
			e = "error parsing regexp: " + err.(*syntax.Error).Code.String() + ": `" + err.(*syntax.Error).Expr + "`"
			if err.Error() != e {
				e = err.Error()
			}
		}
		// The case again, not the pattern written out, where the error names it.
		fmt.Printf("%q\t%q\n", c, strings.ReplaceAll(e, p, c))
	}
}
