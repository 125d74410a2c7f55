module vellumgo

go 1.26

require (
	github.com/blevesearch/vellum v1.2.0
	gocases v0.0.0
)

replace gocases => ../gocases
