import { ctPhantom } from '@qiao/dicom-gateway';
let t=Date.now(); for (let z=0;z<20;z++) ctPhantom({first:z*5,frames:1,rows:512,columns:512}); console.log('phantom x20', Date.now()-t);
