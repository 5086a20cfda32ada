package wmory

import "strings"

// commonPasswords holds the most frequent leaked passwords that are long enough to
// pass the length rule (from public breach frequency lists). Shorter ones are
// already refused by length.
const commonPasswords = `1234567890
12345678910
123456789a
1234567890a
0123456789
0987654321
1111111111
0000000000
1q2w3e4r5t
1q2w3e4r5t6y
qwertyuiop
qwerty1234
qwerty12345
qwerty123456
1qaz2wsx3edc
zaq12wsxcde3
asdfghjkl1
password12
password123
password1234
passw0rd123
iloveyou12
iloveyou123
abcdefghij
abc1234567
abcd123456
a123456789
q123456789
princess12
football12
baseball12
superman12
starwars12
basketball
letmein123
welcome123
welcome1234
changeme123
administrator
computer12
sunshine12
1234qwerty
123qweasdzxc
qweasdzxc123
1qazxsw23edc
trustno1234
monkey1234
dragon1234
michael123
whatever12`

func isCommonPassword(p string) bool {
	lower := strings.ToLower(p)
	for _, c := range strings.Split(commonPasswords, "\n") {
		if lower == c {
			return true
		}
	}
	return false
}
