/**
 * Countries (ISO 3166-1 alpha-2) and which of them have postcodes (their formats are in
 * countries-postcodes.ts, which only the server loads). Names are not stored here: screens get
 * them in the trader's language from Intl.DisplayNames.
 */
export const COUNTRY_CODES = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
  "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
  "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO " +
  "JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR " +
  "MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO " +
  "RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV " +
  "TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
).split(" ");

const COUNTRY_SET: ReadonlySet<string> = new Set(COUNTRY_CODES);

export function isCountryCode(value: string): boolean {
  return COUNTRY_SET.has(value);
}

/**
 * Countries without a postcode system: the trader is not asked for one (the field is hidden) and
 * whatever was posted is dropped. The list is the countries that Google's address metadata
 * (libaddressinput) gives no postcode format, kept in step with the formats in
 * countries-postcodes.ts: every code above is in exactly one of the two (a test checks).
 */
export const NO_POSTCODE_COUNTRIES = (
  "AE AG AO AQ AW BF BI BJ BO BQ BS BV BW BZ CD CF CG CI CK CM CW DJ DM ER FJ GA GD GH GM GQ GY " +
  "HK JM KI KM KN KP LC LY ML MO MR MS MW NR NU PA PS QA RW SB SC SL SR SS ST SX SY TD TF TG TK " +
  "TL TO TT TV UG VU WS YE ZW"
).split(" ");

const NO_POSTCODE: ReadonlySet<string> = new Set(NO_POSTCODE_COUNTRIES);

/**
 * Whether addresses in the country carry a postcode; the server and the screen both ask here.
 * An unknown or missing country reads as "has postcodes", so the field shows until one is chosen.
 */
export function hasPostcodes(country: string): boolean {
  return !NO_POSTCODE.has(country.trim().toUpperCase());
}
