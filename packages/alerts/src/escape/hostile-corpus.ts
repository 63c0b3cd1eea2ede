/**
 * Hostile strings an attacker can put in any event field (key IDs, resource IDs, account IDs,
 * hence summaries). Every output escaper (`escape/*.ts`) and every sink that prints untrusted text
 * is tested with this one list, so a new attack string added here is checked everywhere at once.
 * Plain data, exported for the tests of the services that render alerts.
 */
export const HOSTILE_CORPUS: readonly string[] = [
  '<!channel>',
  '<!here> <!everyone> <@U012ABC> <#C012ABC> <!subteam^S012>',
  '<https://evil.example|reset>',
  '@channel @here @everyone',
  '&amp; &lt; & < >',
  '*bold* _x_ ~x~ `x` ```block```',
  '> quoted line',
  'key\u001b[31mred\u001b[0m',
  '\u001b]8;;https://evil\u0007click\u001b]8;;\u0007',
  '\u009b31m C1 CSI \u0085 NEL',
  'ok\r\n2026-01-01 INFO forged line',
  'nul\u0000byte \u0008backspace \u007fdel \ttab',
  'lone \ud800 high and \udc00 low surrogates',
  'rtl \u202egnp.exe \u202a \u202d \u2066 \u2069 \u200f',
  'line\u2028separator\u2029paragraph',
  'x'.repeat(2000),
  '😀'.repeat(1500),
  '| table | pipes |',
  '[link](javascript:alert(1)) ![img](https://evil.example/x.png)',
  '<script>alert("x")</script> <img src=x onerror=alert(1)>',
  '# heading',
  '" \' quotes',
  '\\ backslash \\` escaped backtick',
];
