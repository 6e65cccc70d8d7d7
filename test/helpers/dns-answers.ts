// The DNS edge of the webhook checks, answered by the test: each lookup takes the next answer (the last
// one repeats); an empty answer is a name that does not exist (NXDOMAIN).
export function dnsAnswers(...answers: string[][]) {
  const calls: string[] = [];
  const resolve = async (host: string) => {
    calls.push(host);
    const a = answers[Math.min(calls.length, answers.length) - 1];
    if (a.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return a;
  };
  return { resolve, calls };
}
