module goregexp

go 1.26

require gocases v0.0.0

replace gocases => ../gocases
