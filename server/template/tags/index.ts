/** The block tags Livery understands, and Django tags it deliberately leaves out (with why). */
import type { BlockBuilder } from '../block-builder.ts';
import type { Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { blockTag, extendsTag } from './block.ts';
import { forTag } from './for.ts';
import { ifTag } from './if.ts';
import { includeTag } from './include.ts';
import { autoescapeTag, commentTag, filterTag, verbatimTag } from './misc.ts';
import { withTag } from './with.ts';

export type TagHandler = (p: Parser, token: Token, out: BlockBuilder) => void;

export const TAGS: ReadonlyMap<string, TagHandler> = new Map<string, TagHandler>([
  ['if', ifTag],
  ['for', forTag],
  ['with', withTag],
  ['include', includeTag],
  ['autoescape', autoescapeTag],
  ['comment', commentTag],
  ['verbatim', verbatimTag],
  ['filter', filterTag],
  ['block', blockTag],
  ['extends', extendsTag],
]);

const FROM_VIEW = 'Compute the value in the view and pass it to the template.';

export const UNSUPPORTED_TAGS: ReadonlyMap<string, string> = new Map([
  ['load', 'Livery has no tag libraries: the built-in tags and filters are all there is.'],
  ['cycle', 'Use forloop.counter with the divisibleby filter, e.g. {% if forloop.counter|divisibleby:2 %}.'],
  ['resetcycle', 'Livery has no {% cycle %}.'],
  ['csrf_token', 'Live events travel over the authenticated socket; forms posted over HTTP get their token from the view.'],
  ['url', FROM_VIEW],
  ['static', FROM_VIEW],
  ['now', `${FROM_VIEW} (the time would not update live anyway).`],
  ['firstof', 'Use {{ a|default:b }}.'],
  ['ifchanged', 'Compare with the previous item in the view, or key the loop.'],
  ['regroup', FROM_VIEW],
  ['spaceless', 'Whitespace is left as written.'],
  ['widthratio', FROM_VIEW],
  ['templatetag', 'Use {% verbatim %} to output template syntax.'],
  ['lorem', 'Write placeholder text in the template.'],
  ['debug', 'Log the values in the view.'],
  ['trans', 'Livery templates have no translation tags; translate in the view.'],
  ['translate', 'Livery templates have no translation tags; translate in the view.'],
  ['blocktrans', 'Livery templates have no translation tags; translate in the view.'],
  ['blocktranslate', 'Livery templates have no translation tags; translate in the view.'],
]);
