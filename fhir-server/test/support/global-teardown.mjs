export default async function globalTeardown() {
  await globalThis.__qiaoPostgres?.stop();
}
