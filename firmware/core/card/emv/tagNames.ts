/**
 * Names and formats of the EMV data objects a terminal meets (EMV 4.4 Book 3 Annex A, the
 * contactless kernels' 9F6x objects), packed in one string so the table costs one slot:
 * `|TAG F Name`, F the format DOL building needs (n numeric, c compressed numeric, b other).
 */
import { tagHex } from './tlv';

const TABLE =
  '|42 b Issuer Identification Number|4F b Application Identifier (AID)|50 b Application Label|57 b Track 2 Equivalent Data' +
  '|5A c Application PAN|5F20 b Cardholder Name|5F24 n Application Expiration Date|5F25 n Application Effective Date' +
  '|5F28 n Issuer Country Code|5F2A n Transaction Currency Code|5F2D b Language Preference|5F30 n Service Code' +
  '|5F34 n Application PAN Sequence Number|5F36 n Transaction Currency Exponent|5F50 b Issuer URL|61 b Application Template' +
  '|6F b FCI Template|70 b Record Template|71 b Issuer Script Template 1|72 b Issuer Script Template 2' +
  '|73 b Directory Discretionary Template|77 b Response Message Template Format 2|80 b Response Message Template Format 1' +
  '|82 b Application Interchange Profile|83 b Command Template|84 b Dedicated File (DF) Name|87 b Application Priority Indicator' +
  '|88 b Short File Identifier (SFI)|89 b Authorisation Code|8A b Authorisation Response Code|8C b CDOL1|8D b CDOL2' +
  '|8E b CVM List|8F b Certification Authority Public Key Index|90 b Issuer Public Key Certificate|91 b Issuer Authentication Data' +
  '|92 b Issuer Public Key Remainder|93 b Signed Static Application Data|94 b Application File Locator (AFL)' +
  '|95 b Terminal Verification Results|97 b TDOL|98 b TC Hash Value|99 b Transaction PIN Data|9A n Transaction Date' +
  '|9B b Transaction Status Information|9C n Transaction Type|9D b DDF Name|A5 b FCI Proprietary Template' +
  '|9F01 n Acquirer Identifier|9F02 n Amount, Authorised|9F03 n Amount, Other|9F05 b Application Discretionary Data' +
  '|9F06 b Application Identifier (AID) - terminal|9F07 b Application Usage Control|9F08 b Application Version Number' +
  '|9F09 b Application Version Number (terminal)|9F0D b Issuer Action Code - Default|9F0E b Issuer Action Code - Denial' +
  '|9F0F b Issuer Action Code - Online|9F10 b Issuer Application Data|9F11 n Issuer Code Table Index' +
  '|9F12 b Application Preferred Name|9F13 b Last Online ATC Register|9F14 b Lower Consecutive Offline Limit' +
  '|9F15 n Merchant Category Code|9F16 b Merchant Identifier|9F17 b PIN Try Counter|9F1A n Terminal Country Code' +
  '|9F1B b Terminal Floor Limit|9F1C b Terminal Identification|9F1E b IFD Serial Number|9F1F b Track 1 Discretionary Data' +
  '|9F20 c Track 2 Discretionary Data|9F21 n Transaction Time|9F23 b Upper Consecutive Offline Limit' +
  '|9F26 b Application Cryptogram|9F27 b Cryptogram Information Data|9F2D b ICC PIN Encipherment Public Key Certificate' +
  '|9F32 b Issuer Public Key Exponent|9F33 b Terminal Capabilities|9F34 b CVM Results|9F35 n Terminal Type' +
  '|9F36 b Application Transaction Counter (ATC)|9F37 b Unpredictable Number|9F38 b PDOL|9F39 n POS Entry Mode' +
  '|9F40 b Additional Terminal Capabilities|9F41 n Transaction Sequence Counter|9F42 n Application Currency Code' +
  '|9F44 n Application Currency Exponent|9F45 b Data Authentication Code|9F46 b ICC Public Key Certificate' +
  '|9F47 b ICC Public Key Exponent|9F48 b ICC Public Key Remainder|9F49 b DDOL|9F4A b Static Data Authentication Tag List' +
  '|9F4B b Signed Dynamic Application Data|9F4C b ICC Dynamic Number|9F4D b Log Entry|9F4E b Merchant Name and Location' +
  '|9F4F b Log Format|9F5D b Available Offline Spending Amount|9F66 b Terminal Transaction Qualifiers (TTQ)' +
  '|9F6B b Track 2 Data (contactless)|9F6C b Card Transaction Qualifiers (CTQ)|9F6E b Form Factor Indicator' +
  '|9F74 b Electronic Cash Issuer Authorisation Code|9F79 n Electronic Cash Balance|9F7A b VLP Terminal Support Indicator' +
  '|9F7C b Customer Exclusive Data|9F7F b Card Production Life Cycle Data|BF0C b FCI Issuer Discretionary Data|';

function entry(tag: number): number {
  return TABLE.indexOf('|' + tagHex(tag) + ' ');
}

/** The EMV name of a tag, or undefined for a tag the table does not know. */
export function tagName(tag: number): string | undefined {
  const at = entry(tag);
  if (at < 0) return undefined;
  const nameAt = TABLE.indexOf(' ', at + 1) + 3;
  return TABLE.slice(nameAt, TABLE.indexOf('|', nameAt));
}

/** The format DOL building follows (EMV Book 3 §5.4): 'n' numeric, 'cn' compressed numeric, 'b' anything else (also unknown tags). */
export function tagFormat(tag: number): 'n' | 'cn' | 'b' {
  // The table's 'n' and 'c' letters as cases: DOL building asks per entry, and a switch costs no string search.
  switch (tag) {
    case 0x5f24:
    case 0x5f25:
    case 0x5f28:
    case 0x5f2a:
    case 0x5f30:
    case 0x5f34:
    case 0x5f36:
    case 0x9a:
    case 0x9c:
    case 0x9f01:
    case 0x9f02:
    case 0x9f03:
    case 0x9f11:
    case 0x9f15:
    case 0x9f1a:
    case 0x9f21:
    case 0x9f35:
    case 0x9f39:
    case 0x9f41:
    case 0x9f42:
    case 0x9f44:
    case 0x9f79:
      return 'n';
    case 0x5a:
    case 0x9f20:
      return 'cn';
    default:
      return 'b';
  }
}
