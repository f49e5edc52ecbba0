module github.com/switchboard-dev/switchboard

go 1.26.0
