module gocases

go 1.26
