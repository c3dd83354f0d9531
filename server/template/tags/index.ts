/** The block tags Livery understands, and Django tags it deliberately leaves out (with why). */
import type { BlockBuilder } from '../block-builder.ts';
import type { Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { blockTag, extendsTag } from './block.ts';
import { attrsTag, componentTag, renderSlotTag, slotTag } from './component.ts';
import { cycleTag, resetcycleTag } from './cycle.ts';
import { forTag } from './for.ts';
import { ifTag } from './if.ts';
import { ifchangedTag } from './ifchanged.ts';
import { includeTag } from './include.ts';
import { liveComponentTag } from './live-component.ts';
import { liveTag } from './live.ts';
import { autoescapeTag, commentTag, filterTag, spacelessTag, verbatimTag } from './misc.ts';
import { regroupTag } from './regroup.ts';
import { firstofTag, loremTag, nowTag, templatetagTag, widthratioTag } from './values.ts';
import { withTag } from './with.ts';

export type TagHandler = (p: Parser, token: Token, out: BlockBuilder) => void;

export const TAGS: ReadonlyMap<string, TagHandler> = new Map<string, TagHandler>([
  ['if', ifTag],
  ['for', forTag],
  ['with', withTag],
  ['include', includeTag],
  ['component', componentTag],
  ['slot', slotTag],
  ['attrs', attrsTag],
  ['render_slot', renderSlotTag],
  ['autoescape', autoescapeTag],
  ['comment', commentTag],
  ['verbatim', verbatimTag],
  ['filter', filterTag],
  ['block', blockTag],
  ['extends', extendsTag],
  ['cycle', cycleTag],
  ['resetcycle', resetcycleTag],
  ['firstof', firstofTag],
  ['ifchanged', ifchangedTag],
  ['now', nowTag],
  ['widthratio', widthratioTag],
  ['regroup', regroupTag],
  ['spaceless', spacelessTag],
  ['templatetag', templatetagTag],
  ['lorem', loremTag],
  ['live_component', liveComponentTag],
  ['live', liveTag],
]);

const FROM_VIEW = 'Compute the value in the view and pass it to the template.';

export const UNSUPPORTED_TAGS: ReadonlyMap<string, string> = new Map([
  ['load', 'Livery has no tag libraries: app-defined tags are registered with createServer({ tags }) and need no {% load %}.'],
  ['csrf_token', 'Live events travel over the authenticated socket; forms posted over HTTP get their token from the view.'],
  ['url', FROM_VIEW],
  ['static', FROM_VIEW],
  ['querystring', FROM_VIEW],
  ['debug', 'Log the values in the view.'],
  ['trans', 'Livery templates have no translation tags; translate in the view.'],
  ['translate', 'Livery templates have no translation tags; translate in the view.'],
  ['blocktrans', 'Livery templates have no translation tags; translate in the view.'],
  ['blocktranslate', 'Livery templates have no translation tags; translate in the view.'],
]);
