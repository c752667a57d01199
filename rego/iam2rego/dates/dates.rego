# METADATA
# title: Date parsing for the Date* condition operators (SEMANTICS §6.5)
# description: |
#   parse_ns(s) turns a W3C ISO 8601 profile (YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.frac]]
#   with Z, +hh:mm or -hh:mm; no zone = UTC) or epoch seconds (digits, optional sign and fraction)
#   into nanoseconds since the epoch. It is computed arithmetically instead of with time.parse_*:
#   the embedded engine's time.parse_rfc3339_ns rejects the "Z" suffix, so a builtin-based parser
#   would answer differently on the two engines. A string of digits only is epoch seconds (so a
#   bare year "2020" is read as epoch seconds, not as a year). Invalid input → undefined.
package iam2rego.dates

# YYYY-MM[-DD[Thh:mm[:ss[.frac]][zone]]]
_iso_re := concat("", [
	`^([0-9]{4})-([0-9]{2})(?:-([0-9]{2})`,
	`(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?`,
	`(Z|z|[+-][0-9]{2}:?[0-9]{2})?)?)?$`,
])

_epoch_re := `^([+-]?)([0-9]+)(?:\.([0-9]+))?$`

# METADATA
# scope: document
# description: Nanoseconds since 1970-01-01T00:00:00Z; undefined when s is not a date.
parse_ns(s) := ns if {
	is_string(s)
	some m in regex.find_all_string_submatch_n(_epoch_re, trim_space(s), 1)
	secs := _int_of(m[2])
	frac := _frac_ns(m[3])
	ns := _sign_of(m[1]) * ((secs * 1000000000) + frac)
}

parse_ns(s) := ns if {
	is_string(s)
	some m in regex.find_all_string_submatch_n(_iso_re, trim_space(s), 1)
	ns := _iso_ns(m)
}

_iso_ns(m) := ns if {
	y := _int_of(m[1])
	mo := _int_of(m[2])
	d := _day_of(m[3])
	_valid_date(y, mo, d)
	h := _int_of(m[4])
	h < 24
	mi := _int_of(m[5])
	mi < 60
	sec := _int_of(m[6])
	sec < 61
	secs := ((((((_days_from_civil(y, mo, d) * 24) + h) * 60) + mi) * 60) + sec) - _offset_secs(m[8])
	ns := (secs * 1000000000) + _frac_ns(m[7])
}

_day_of("") := 1

_day_of(t) := _int_of(t) if t != ""

# Decimal digits to a number without to_number's JSON rules (which reject leading zeros).
_int_of(t) := 0 if trim_left(t, "0") == ""

_int_of(t) := to_number(trim_left(t, "0")) if trim_left(t, "0") != ""

_sign_of("-") := -1

_sign_of(s) := 1 if s != "-"

# Fractional seconds to nanoseconds (digits beyond the ninth are truncated).
_frac_ns(f) := _int_of(substring(concat("", [f, "000000000"]), 0, 9))

_offset_secs(z) := 0 if z in {"", "Z", "z"}

_offset_secs(z) := _sign_of(substring(z, 0, 1)) * ((hours * 3600) + (minutes * 60)) if {
	not z in {"", "Z", "z"}
	digits := replace(substring(z, 1, -1), ":", "")
	hours := _int_of(substring(digits, 0, 2))
	minutes := _int_of(substring(digits, 2, 2))
}

_valid_date(y, mo, d) if {
	mo >= 1
	mo <= 12
	d >= 1
	d <= _days_in_month(y, mo)
}

_days_in_month(y, 2) := 29 if _leap(y)

_days_in_month(y, 2) := 28 if not _leap(y)

_days_in_month(_, mo) := 30 if mo in {4, 6, 9, 11}

_days_in_month(_, mo) := 31 if mo in {1, 3, 5, 7, 8, 10, 12}

_leap(y) if {
	y % 4 == 0
	y % 100 != 0
}

_leap(y) if y % 400 == 0

# Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
_days_from_civil(y0, m, d) := days if {
	y := y0 - _jan_feb(m)
	era := floor(y / 400)
	yoe := y - (era * 400)
	mp := (m + 9) % 12
	doy := (floor(((153 * mp) + 2) / 5) + d) - 1
	doe := (((yoe * 365) + floor(yoe / 4)) - floor(yoe / 100)) + doy
	days := ((era * 146097) + doe) - 719468
}

_jan_feb(m) := 1 if m <= 2

_jan_feb(m) := 0 if m > 2
