// Hot-path cost of the metrics (per-message counting in the sink) and the cost of one scrape, hand-written vs
// prom-client. Run after `npx tsc`: node scripts/bench-metrics.cjs
const {PipelineCounters}=require(__dirname + '/../dist/src/metrics/pipeline.js');
const {Message}=require(__dirname + '/../dist/src/message.js');const {SyslogTime}=require(__dirname + '/../dist/src/time.js');
const {parseSyslog}=require(__dirname + '/../dist/src/parse/index.js');const {parseOptions}=require(__dirname + '/../dist/src/parse/options.js');
const {Scrape}=require(__dirname + '/../dist/src/metrics/exposition.js');
const o=parseOptions();
function mk(text,ip){const f=Buffer.from(text);const m=new Message(f,{inputname:'imudp',fromhostIp:ip,fromhost:ip,ruleset:'x'},SyslogTime.now());parseSyslog(f,m,o);return m;}
for (const [label, gen] of [['3164 plain',i=>mk('<14>Mar  1 00:00:00 host sshd[1]: Failed password '+i,'10.0.0.'+(i%200))],['5424 meta seq',i=>mk('<14>1 2026-01-01T00:00:00Z web app 1 - [meta sequenceId="'+(i+1)+'"] hi','10.0.0.'+(i%200))]]) {
  const msgs=Array.from({length:1000},(_,i)=>gen(i));
  const p=new PipelineCounters();
  for (let r=0;r<3;r++){ const t0=process.hrtime.bigint(); for(let k=0;k<2000;k++) p.count(msgs); const ns=Number(process.hrtime.bigint()-t0); console.log(label,'ns/msg',(ns/2e6).toFixed(1)); }
}
// scrape: 50 inputs, 50 actions-ish
const s0=process.hrtime.bigint(); for (let k=0;k<1000;k++){const s=new Scrape(); for(let i=0;i<100;i++){ for (const n of ['logwarden_queue_size','logwarden_queue_enqueued_total','logwarden_action_delivered_total','logwarden_action_retries_total','logwarden_queue_full_total','logwarden_queue_spilled_total']) s.add(n,{action:'a'+i},i*k);} s.text();}
console.log('render 600 samples ms', Number(process.hrtime.bigint()-s0)/1e6/1000);
const client=require('prom-client');
const reg=new client.Registry(); const gs=['q_size','q_enq','a_del','a_ret','q_full','q_spill'].map(n=>new client.Gauge({name:n,help:'h',labelNames:['action'],registers:[reg]}));
(async()=>{const s1=process.hrtime.bigint(); for (let k=0;k<1000;k++){ for(let i=0;i<100;i++) for (const g of gs) g.set({action:'a'+i},i*k); await reg.metrics();}
console.log('prom-client set+render 600 samples ms', Number(process.hrtime.bigint()-s1)/1e6/1000);})();
