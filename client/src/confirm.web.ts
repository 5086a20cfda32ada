export async function confirm(title: string, message: string, _action = 'OK'): Promise<boolean> {
  return window.confirm(`${title}\n\n${message}`);
}
