// Sessions named the way people recognise their devices ("Chrome on
// Linux"), from the user agent the server recorded at sign-in.

const browsers: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bCriOS\/|\b(Headless)?Chrome\/|\bChromium\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const systems: [RegExp, string][] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** "Chrome on Linux", "Safari on iPhone", "the wmory app on Android", "the command-line uploader"… */
export function describeAgent(ua: string | null | undefined): string {
  if (!ua) return 'Unknown device';
  if (/^Go-http-client\//.test(ua) || /^wmory-cli\b/.test(ua)) return 'The command-line uploader';
  const system = systems.find(([re]) => re.test(ua))?.[1];
  if (/\bExpo\b|\bokhttp\/|\bCFNetwork\//.test(ua)) return system ? `The wmory app on ${system}` : 'The wmory app';
  const browser = browsers.find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
}
