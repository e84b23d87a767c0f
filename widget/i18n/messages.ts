import { en, type Messages } from './en.js';

let chinese: Promise<Messages> | undefined;

/** The translation for a BCP 47 locale: Simplified Chinese for any `zh`, English otherwise. */
export function messagesFor(locale: string): Messages | Promise<Messages> {
  if (!/^zh\b/i.test(locale)) return en;
  // A separate chunk, so English-only pages never download the Chinese text.
  chinese ??= import('./zh-cn.js').then((module) => module.zhCN);
  return chinese;
}
