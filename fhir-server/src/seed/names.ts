/**
 * Chinese personal names: common surnames in rough order of frequency and given-name characters
 * often used for men and for women. Names are written as one official HumanName in Chinese
 * (text "张伟", family "张", given ["伟"]), with the given name kept whole as Chinese usage does.
 */
import { type Random, WeightedTable } from './random.js';

/** About the 110 most common surnames, most common first (they cover some 85 % of the population). */
const COMMON_SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪辛柯庄牛',
];

/** Two-character surnames are rare; a few keep the family/given split honest. */
const COMPOUND_SURNAMES = ['欧阳', '司马', '诸葛', '上官'];

interface Surname {
  readonly name: string;
  readonly weight: number;
}

/**
 * Frequencies fall off roughly as 1/(rank + 3): the top three get about 9 %, 7 % and 5 %, near the
 * census shares of 王, 李 and 张 (about 7 % each).
 */
const SURNAMES: readonly Surname[] = [
  ...COMMON_SURNAMES.map((name, rank) => ({ name, weight: 1 / (rank + 3) })),
  ...COMPOUND_SURNAMES.map((name) => ({ name, weight: 0.002 })),
];

const SURNAME_TABLE = new WeightedTable(SURNAMES, (s) => s.weight);

const GIVEN_CHARACTERS = {
  male: [...'伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文海东亮成峰毅博然轩睿晨泽航'],
  female: [...'芳娜敏静丽艳娟霞燕玲桂英秀兰萍红梅琳雪婷慧莹倩颖洁琴云丹晶欣怡佳悦雨思萱涵妍琪璐瑶'],
  /** Characters given to both boys and girls. */
  either: [...'文子嘉晓春一安小佳永新艺'],
} as const;

export interface PersonName {
  family: string;
  given: string;
  text: string;
}

function givenCharacter(rng: Random, gender: 'male' | 'female'): string {
  return rng.chance(0.15) ? rng.pick(GIVEN_CHARACTERS.either) : rng.pick(GIVEN_CHARACTERS[gender]);
}

/** A family name and a one- or (three times in four) two-character given name. */
export function personName(rng: Random, gender: 'male' | 'female'): PersonName {
  const family = SURNAME_TABLE.pick(rng).name;
  let given = givenCharacter(rng, gender);
  if (rng.chance(0.75)) given += givenCharacter(rng, gender);
  return { family, given, text: family + given };
}
